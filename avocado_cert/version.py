"""The suite's own version: part of the suite hash a bundle carries."""

VERSION = "0.1.0"
