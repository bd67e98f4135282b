"""The county's review of an application: the platform audit (分表计电平台审核表) and the site audit (现场核查)."""
