"""Transmission rates: received DataTimes ÷ expected intervals, per day and month, from the daily rollup."""
