"""Green public procurement: the versioned criteria library, the tender-spec wizard, generated
specifications with their verification checklists and market evidence from the knowledge base,
their exports, the procurer's verification of each bidder's evidence, and the life after the
tender: life-cycle cost, the award, the contract's milestones, the delivery report and the case
study drafted from a closed contract; and the notice to procurers of new versions of the criteria
their specs use (a kind of `replan.follows`)."""
