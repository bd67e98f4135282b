"""Center commands sent to terminals (set-up, time calibration, intervals, history) and their 9011/9012 replies."""
