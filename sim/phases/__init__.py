"""The phases of one simulated day, one module each, in the order the model's `step()`
runs them:

1. `life`: pay days, living expenses, shocks begin (and run out).
2. `lending`: needs, applications, credit review, pricing, disbursement.
3. `repayment`: installments fall due; borrowers pay, pay partly or miss; DPD and late fees.
4. `deferral`: borrowers in difficulty apply; lenders review and grant new schedules.
5. `collection`: collectors contact delinquent accounts; escalation to bureau report and court.
6. `reporting`: the bureau applies reports whose delay has passed; scores move.
7. `chargeoff`: charge-offs, debt sales, court judgments, end of recovery.

Each phase is a function `run(state, params)` of the market's state (`sim.state.MarketState`)
and parameters (`sim.params.MarketParams`) whose docstring says what it reads and what it
changes; no phase reaches the model itself.
"""
