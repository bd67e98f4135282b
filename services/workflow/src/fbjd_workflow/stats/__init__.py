"""Statistics (统计): counts by stage, county and industry, and how long each stage takes."""
