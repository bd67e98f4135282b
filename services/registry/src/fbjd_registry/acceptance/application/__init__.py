"""The enterprise's acceptance application (验收申请): the basic information form, its documents, submission."""
