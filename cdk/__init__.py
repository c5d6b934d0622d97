"""CDK app for the coaching platform: one construct per concern, one stack that wires them."""
