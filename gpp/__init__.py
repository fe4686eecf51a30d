"""Green public procurement: the versioned criteria library, the tender-spec wizard, generated
specifications with their verification checklists and market evidence from the knowledge base,
their exports, and the procurer's verification of each bidder's evidence."""
