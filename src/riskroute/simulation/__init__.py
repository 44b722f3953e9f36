"""Capacity and policy simulation of the IIOC pipeline (police → forensics → CPS → courts).

The model answers one question honestly: if people were routed by a diversion policy instead of
current practice, what happens to queues, waits, costs and expected reoffending, given how little
is known about most of the inputs? Routing is done by the real decision core
(`riskroute.core.triage.triage`) on synthetic case facts; every scenario parameter carries its
range, source and support level, and the uncertainty in them is propagated by Monte Carlo.
"""

ENGINE_VERSION = "2.0.1"
