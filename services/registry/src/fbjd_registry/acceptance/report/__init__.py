"""The acceptance report 沧州市工业企业分表计电系统验收报告 and the city's filing (备案)."""
