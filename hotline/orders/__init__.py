"""Work orders (工单) made at the agent desk: fault repairs, complaints and reports, with history."""
