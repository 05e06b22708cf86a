"""What the musicnn ground truth covers: its clips and both model variants."""

CLIPS = ("minuet", "sweep_clicks", "pink_noise")
VARIANTS = ("msd", "mtt")
