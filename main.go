// Command mealbuddy runs MealBuddy (밀버디), the neighbourhood group-ordering
// community, as one binary. See README.md.
package main

import (
	"fmt"
	"os"
	_ "time/tzdata" // Asia/Seoul on hosts without zone data

	"github.com/mealbuddy/mealbuddy/app"
)

func main() {
	if err := app.NewRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "mealbuddy:", err)
		os.Exit(1)
	}
}
