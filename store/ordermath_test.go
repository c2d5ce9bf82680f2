package store

import (
	"math/rand"
	"slices"
	"testing"
)

// The money table of docs/orders.md. Members are listed organiser first;
// the organiser's id is 1.
func TestSplitOrder(t *testing.T) {
	c := func(items int, subtotal int64) CartTotal { return CartTotal{Items: items, Subtotal: subtotal} }
	none := c(0, 0)
	repeat := func(n int, ct CartTotal) []CartTotal {
		out := make([]CartTotal, n)
		for i := range out {
			out[i] = ct
		}
		return out
	}
	tiers := []FeeTier{{FromTotal: 20000, Fee: 1000}, {FromTotal: 30000, Fee: 0}}
	const big = 20 * 1_000_000 * 20
	cases := []struct {
		name                        string
		fee                         int64
		tiers                       []FeeTier
		min                         int64
		carts                       []CartTotal
		food, feeNow, share, remain int64
		fees, toPay                 []int64
	}{
		{"no items", 3000, nil, 20000, []CartTotal{none, none, none}, 0, 3000, 0, 20000,
			[]int64{3000, 0, 0}, []int64{3000, 0, 0}},
		{"one member (organiser)", 3000, nil, 0, []CartTotal{c(2, 12000)}, 12000, 3000, 3000, 0,
			[]int64{3000}, []int64{15000}},
		{"one member (not organiser)", 3000, nil, 10000, []CartTotal{none, c(1, 9000)}, 9000, 3000, 3000, 1000,
			[]int64{0, 3000}, []int64{0, 12000}},
		{"3,000 over 7", 3000, nil, 20000, repeat(7, c(1, 1000)), 7000, 3000, 420, 13000,
			[]int64{480, 420, 420, 420, 420, 420, 420}, []int64{1480, 1420, 1420, 1420, 1420, 1420, 1420}},
		{"3,000 over 2", 3000, nil, 20000, []CartTotal{c(1, 8000), c(2, 12000)}, 20000, 3000, 1500, 0,
			[]int64{1500, 1500}, []int64{9500, 13500}},
		{"2,500 over 3", 2500, nil, 0, repeat(3, c(1, 5000)), 15000, 2500, 830, 0,
			[]int64{840, 830, 830}, []int64{5840, 5830, 5830}},
		{"organiser without items", 3000, nil, 0, []CartTotal{none, c(1, 5000), c(1, 5000), c(1, 5000)}, 15000, 3000, 1000, 0,
			[]int64{0, 1000, 1000, 1000}, []int64{0, 6000, 6000, 6000}},
		{"organiser without items, remainder", 1000, nil, 0, []CartTotal{none, c(1, 5000), c(1, 5000), c(1, 5000)}, 15000, 1000, 330, 0,
			[]int64{10, 330, 330, 330}, []int64{10, 5330, 5330, 5330}},
		{"tier below", 3000, tiers, 20000, []CartTotal{c(1, 10000), c(1, 9000)}, 19000, 3000, 1500, 1000,
			[]int64{1500, 1500}, []int64{11500, 10500}},
		{"tier reached", 3000, tiers, 20000, []CartTotal{c(1, 10000), c(1, 10000)}, 20000, 1000, 500, 0,
			[]int64{500, 500}, []int64{10500, 10500}},
		{"top tier", 3000, tiers, 20000, []CartTotal{c(2, 20000), c(1, 15000)}, 35000, 0, 0, 0,
			[]int64{0, 0}, []int64{20000, 15000}},
		{"tier from 0", 3000, []FeeTier{{FromTotal: 0, Fee: 4000}}, 0, []CartTotal{c(1, 5000), c(1, 5000)}, 10000, 4000, 2000, 0,
			[]int64{2000, 2000}, []int64{7000, 7000}},
		{"zero-price item counts", 3000, nil, 0, []CartTotal{c(1, 0), c(1, 5000)}, 5000, 3000, 1500, 0,
			[]int64{1500, 1500}, []int64{1500, 6500}},
		{"large totals", 100000, nil, 1_000_000, repeat(10, c(20, big)), 10 * big, 100000, 10000, 0,
			repeat64(10, 10000), repeat64(10, big+10000)},
		{"fee under 10 per head", 50, nil, 0, repeat(7, c(1, 1000)), 7000, 50, 0, 0,
			[]int64{50, 0, 0, 0, 0, 0, 0}, []int64{1050, 1000, 1000, 1000, 1000, 1000, 1000}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			carts := slices.Clone(tc.carts)
			for i := range carts {
				carts[i].UserID = int64(i + 1)
			}
			sp := SplitOrder(tc.fee, tc.tiers, tc.min, 1, carts)
			if sp.FoodTotal != tc.food || sp.FeeNow != tc.feeNow || sp.FeeShare != tc.share || sp.RemainingToMin != tc.remain {
				t.Errorf("food %d fee %d share %d remain %d, want %d %d %d %d",
					sp.FoodTotal, sp.FeeNow, sp.FeeShare, sp.RemainingToMin, tc.food, tc.feeNow, tc.share, tc.remain)
			}
			if !slices.Equal(sp.Fees, tc.fees) || !slices.Equal(sp.ToPay, tc.toPay) {
				t.Errorf("fees %v to_pay %v, want %v %v", sp.Fees, sp.ToPay, tc.fees, tc.toPay)
			}
			withItems := 0
			for _, c := range carts {
				if c.Items > 0 {
					withItems++
				}
			}
			feeNow, remain, share := PostMoney(tc.fee, tc.tiers, tc.min, sp.FoodTotal, withItems)
			if feeNow != sp.FeeNow || remain != sp.RemainingToMin || share != sp.FeeShare {
				t.Errorf("PostMoney %d %d %d disagrees with SplitOrder", feeNow, remain, share)
			}
		})
	}
}

func repeat64(n int, v int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestSplitOrderAddsUp: for random orders within the API's bounds, Σ to_pay
// = food total + fee_now, fees are never negative, and every fee but the
// organiser's is fee_share or 0.
func TestSplitOrderAddsUp(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	for i := 0; i < 20000; i++ {
		base := rng.Int63n(100_001)
		var tiers []FeeTier
		from := int64(-1)
		for range rng.Intn(6) {
			from += 1 + rng.Int63n(30000)
			tiers = append(tiers, FeeTier{FromTotal: from, Fee: rng.Int63n(100_001)})
		}
		n := 1 + rng.Intn(10)
		carts := make([]CartTotal, n)
		for j := range carts {
			carts[j].UserID = int64(j + 1)
			carts[j].Items = rng.Intn(21)
			for range carts[j].Items {
				carts[j].Subtotal += rng.Int63n(1_000_001) * (1 + rng.Int63n(20))
			}
			if rng.Intn(4) == 0 { // small carts so that low tiers and tiny fees come up
				carts[j].Subtotal %= 50000
			}
		}
		organiser := int64(1 + rng.Intn(n))
		sp := SplitOrder(base, tiers, rng.Int63n(1_000_001), organiser, carts)
		var sum, food int64
		for j, c := range carts {
			food += c.Subtotal
			sum += sp.ToPay[j]
			if sp.Fees[j] < 0 {
				t.Fatalf("case %d: negative fee %v", i, sp.Fees)
			}
			if c.UserID != organiser && sp.Fees[j] != 0 && sp.Fees[j] != sp.FeeShare {
				t.Fatalf("case %d: member fee %d, share %d", i, sp.Fees[j], sp.FeeShare)
			}
			if sp.ToPay[j] != c.Subtotal+sp.Fees[j] {
				t.Fatalf("case %d: to_pay %d ≠ subtotal %d + fee %d", i, sp.ToPay[j], c.Subtotal, sp.Fees[j])
			}
		}
		if food != sp.FoodTotal || sum != sp.FoodTotal+sp.FeeNow {
			t.Fatalf("case %d: Σ to_pay %d, food %d (%d) + fee %d", i, sum, sp.FoodTotal, food, sp.FeeNow)
		}
		if sp.FeeShare%10 != 0 {
			t.Fatalf("case %d: share %d not a multiple of 10", i, sp.FeeShare)
		}
	}
}
