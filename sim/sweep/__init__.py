"""Parameter sweeps: designs, sensitivity indices, response curves and the policy frontier."""
