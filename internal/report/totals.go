package report

// totals counts requirements by status, per API and in all, and specs per suite and API.
func totals(r *Report, specsByAPI map[string]*SpecCounts) {
	byAPI := map[string]*APITotals{}
	var apis []string
	for _, req := range r.Requirements {
		t := byAPI[req.API]
		if t == nil {
			t = &APITotals{API: req.API}
			byAPI[req.API] = t
			apis = append(apis, req.API)
		}
		for _, tt := range []*Totals{&r.Totals, &t.Totals} {
			tt.Requirements++
			switch req.Status {
			case StatusPass:
				tt.Pass++
			case StatusFail:
				tt.Fail++
			case StatusWaived:
				tt.Waived++
			case StatusPartiallyEvaluated:
				tt.PartiallyEvaluated++
			case StatusInconclusive:
				tt.Inconclusive++
			default:
				tt.NotEvaluated++
			}
			tt.Evaluated = tt.Pass + tt.Fail + tt.Waived
		}
	}
	for _, s := range r.Run.Suites {
		addCounts(&r.Totals.Specs, s.Specs)
	}
	for api, c := range specsByAPI {
		if byAPI[api] != nil {
			byAPI[api].Specs = *c
		}
	}
	for _, api := range apis {
		r.APIs = append(r.APIs, *byAPI[api])
	}
}

func addCounts(dst *SpecCounts, src SpecCounts) {
	dst.Total += src.Total
	dst.Passed += src.Passed
	dst.Failed += src.Failed
	dst.Skipped += src.Skipped
	dst.Pending += src.Pending
	dst.Inconclusive += src.Inconclusive
}
