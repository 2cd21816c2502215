"""The common base: errors, data files, paths, safe XML, object names, outcomes. Imports nothing above it."""
