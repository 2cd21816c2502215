"""The plan of a certification: profiles, criteria, variants, and the job plan built from them."""
