"""The read-only sweep, in three parts: its own objects (fixtures), how to call each refused function
(arguments), and the sweep that calls them and checks nothing changed (sweep)."""
