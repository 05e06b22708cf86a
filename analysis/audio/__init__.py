"""Framework-free audio analysis: decoding, DSP features, musicnn inference.

Nothing in this package imports Django, Celery or settings: functions take
numpy arrays and plain arguments and return small frozen dataclasses.
"""
