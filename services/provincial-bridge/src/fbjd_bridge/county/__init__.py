"""County platforms (区县平台) reporting abnormal records to the city through the province's interface."""
