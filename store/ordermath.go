package store

// The money rule of a group order, in one place: pure functions on
// integers (원). No floats anywhere: a split must add up to the won.

// FeeTier is a delivery fee that applies from a food total on.
type FeeTier struct {
	FromTotal int64
	Fee       int64
}

// CartTotal is one member's part of an order as the split needs it.
type CartTotal struct {
	UserID   int64
	Items    int   // number of cart lines
	Subtotal int64 // Σ price × qty
}

// Split is the money of an order at one moment.
type Split struct {
	FoodTotal      int64
	FeeNow         int64
	RemainingToMin int64
	FeeShare       int64
	// Fees and ToPay follow the members given to SplitOrder, index by index.
	Fees  []int64
	ToPay []int64
}

// FeeFor is the fee that applies to a food total: the fee of the tier with
// the highest FromTotal ≤ total, else the base fee. Tiers need not be
// sorted.
func FeeFor(base int64, tiers []FeeTier, total int64) int64 {
	fee, best := base, int64(-1)
	for _, t := range tiers {
		if t.FromTotal <= total && t.FromTotal > best {
			fee, best = t.Fee, t.FromTotal
		}
	}
	return fee
}

// SplitOrder applies the rule: M = the members with at least one item;
// fee_share = ⌊fee_now ÷ |M| ÷ 10⌋ × 10 (0 when M is empty); each member of
// M other than the organiser pays fee_share; the organiser pays fee_now
// minus the others' fees; everyone else pays no fee. So Σ ToPay is always
// FoodTotal + FeeNow.
func SplitOrder(base int64, tiers []FeeTier, minOrder, organiser int64, members []CartTotal) Split {
	var sp Split
	m := int64(0)
	for _, c := range members {
		sp.FoodTotal += c.Subtotal
		if c.Items > 0 {
			m++
		}
	}
	sp.FeeNow = FeeFor(base, tiers, sp.FoodTotal)
	sp.RemainingToMin = max(0, minOrder-sp.FoodTotal)
	sp.FeeShare = shareOf(sp.FeeNow, m)
	sp.Fees = make([]int64, len(members))
	sp.ToPay = make([]int64, len(members))
	others := int64(0)
	org := -1
	for i, c := range members {
		switch {
		case c.UserID == organiser:
			org = i
		case c.Items > 0:
			sp.Fees[i] = sp.FeeShare
			others += sp.FeeShare
		}
	}
	if org >= 0 {
		sp.Fees[org] = sp.FeeNow - others
	}
	for i, c := range members {
		sp.ToPay[i] = c.Subtotal + sp.Fees[i]
	}
	return sp
}

// PostMoney is the summary every post object shows: the split without the
// per-member lines, from the food total and |M| alone.
func PostMoney(base int64, tiers []FeeTier, minOrder, foodTotal int64, withItems int) (feeNow, remainingToMin, feeShare int64) {
	feeNow = FeeFor(base, tiers, foodTotal)
	remainingToMin = max(0, minOrder-foodTotal)
	return feeNow, remainingToMin, shareOf(feeNow, int64(withItems))
}

// shareOf is ⌊fee ÷ m ÷ 10⌋ × 10, 0 for m = 0 (amounts are never negative,
// so integer division floors).
func shareOf(fee, m int64) int64 {
	if m <= 0 {
		return 0
	}
	return fee / (m * 10) * 10
}
