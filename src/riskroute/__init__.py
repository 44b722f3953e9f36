"""riskroute: risk-led routing of people investigated for viewing indecent images of children."""

__version__ = "0.1.0"
