package report

import (
	"fmt"
	"slices"
)

// comparisonRow is one requirement across several implementations.
type comparisonRow struct {
	ID, API, Kind, Statement string
	Statuses                 []string
	Differs                  bool
}

// comparisonRows lines up the requirements of several reports; a requirement missing from a
// report (an older catalog) shows as not-evaluated there.
func comparisonRows(reports []*Report) []comparisonRow {
	var rows []comparisonRow
	index := map[string]int{}
	for ri, r := range reports {
		for _, q := range r.Requirements {
			i, ok := index[q.ID]
			if !ok {
				i = len(rows)
				index[q.ID] = i
				statuses := make([]string, len(reports))
				for k := range statuses {
					statuses[k] = StatusNotEvaluated
				}
				rows = append(rows, comparisonRow{ID: q.ID, API: q.API, Kind: q.Kind, Statement: q.Statement, Statuses: statuses})
			}
			rows[i].Statuses[ri] = q.Status
		}
	}
	for i := range rows {
		rows[i].Differs = slices.ContainsFunc(rows[i].Statuses, func(s string) bool { return s != rows[i].Statuses[0] })
	}
	return rows
}

// implementationNames labels each report by its target name, made unique.
func implementationNames(reports []*Report) []string {
	names := make([]string, len(reports))
	seen := map[string]int{}
	for i, r := range reports {
		n := r.Target.Name
		if n == "" {
			n = fmt.Sprintf("report %d", i+1)
		}
		seen[n]++
		if seen[n] > 1 {
			n = fmt.Sprintf("%s (%d)", n, seen[n])
		}
		names[i] = n
	}
	return names
}
