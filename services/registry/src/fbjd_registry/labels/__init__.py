"""labels slice: printable on-site labels (现场标识牌) of an enterprise's monitoring points."""
