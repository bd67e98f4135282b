"""abnormals slice: the merged, versioned abnormal records (异常记录) and their evidence."""
