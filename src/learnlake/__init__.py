"""learnlake: learning analytics for Open edX in one Python package."""

__version__ = "0.1.0"
