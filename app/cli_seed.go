package app

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/store"
)

// seedNeighborhoods are real 행정동: two pairs of neighbours, so that the
// range selector has something to show.
var seedNeighborhoods = []string{
	"서울특별시 종로구 사직동",
	"서울특별시 종로구 청운효자동",
	"제주특별자치도 제주시 용담1동",
	"제주특별자치도 제주시 용담2동",
}

var seedNames = []string{"김민준", "이서연", "박지호", "최수아", "정도윤", "강하은", "조예준", "윤지우",
	"장시우", "임서윤", "한주원", "오하린", "서지안", "신유나", "권은우", "황다인"}

// seedPosts are (title, content) pairs per category, written like residents do.
var seedPosts = map[string][][2]string{
	"족발,보쌈":    {{"족발 대 사이즈 같이 시켜요", "배달비 나눠요. 막국수 서비스 주는 집이에요."}, {"보쌈 반반 하실 분", "2인분씩 나눠서 받으면 좋겠어요."}},
	"찜,탕,찌개":   {{"비 오는 날 감자탕 어때요", "최소주문 25,000원이라 같이 채워요."}, {"부대찌개 3인분 같이", "라면사리 추가 예정입니다."}},
	"돈까스,회,일식": {{"연어덮밥 같이 주문해요", "점심에 받아요. 배달비 3,000원 나눠요."}, {"돈까스 세트 모집", "치즈돈까스 맛집이에요."}},
	"피자":       {{"피자 라지 한 판 나눠요", "반반으로 시키고 반씩 나눠요."}, {"금요일 저녁 피자 파티", "사이드는 각자 골라요."}},
	"고기구이":     {{"삼겹살 배달 같이 해요", "쌈채소 포함 세트입니다."}},
	"양식":       {{"파스타 두 개 이상 주문하실 분", "최소주문이 높아서 모아요."}},
	"치킨":       {{"치킨 먹으실 분 찾아요", "후라이드 반 양념 반, 배달비 나눠요."}, {"야식 치킨 같이 시켜요", "10시쯤 주문할게요."}},
	"중식":       {{"짜장 짬뽕 탕수육 세트", "탕수육 나눠 먹어요."}, {"마라탕 같이 주문해요", "각자 재료 골라서 한 번에 주문해요."}},
	"아시안":      {{"쌀국수 같이 드실 분", "월남쌈 추가할까 해요."}},
	"백반,죽,국수":  {{"아침 죽 같이 시켜요", "출근 전에 받아요."}, {"칼국수 점심 모집", "최소주문 맞춰요."}},
	"도시락":      {{"점심 도시락 단체 주문", "사무실 근처에서 받아요."}},
	"분식":       {{"떡볶이 튀김 세트 같이", "순대 추가해요."}, {"김밥 여러 줄 주문해요", "한 줄씩 나눠요."}},
	"카페,디저트":   {{"커피 네 잔 이상 모아요", "배달비 무료 기준 맞춰요."}, {"빙수 같이 드실 분", "더운 날 빙수 최고예요."}},
	"페스트푸드":    {{"햄버거 세트 같이 시켜요", "감자튀김 나눠 먹어요."}},
}

func newSeedCommand(root *rootOptions) *cobra.Command {
	var seed int64
	var force bool
	var passwordStdin bool
	var passwordFlag string
	var users, posts int
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Fill the database with Korean demo data (users and posts)",
		Long: `Fill the database with demo residents in a few real 행정동 and "let's order
together" posts over all 14 categories. The same --seed gives the same data.
It refuses a database that already has users unless --force is given, and
prints the demo login once. The demo password comes from the environment
variable MEALBUDDY_SEED_PASSWORD, or the first line of standard input with
--password-stdin, or is generated; never from a flag, where the process
list would show it.`,
		Example: `  mealbuddy seed
  MEALBUDDY_SEED_PASSWORD=demo-password mealbuddy seed --seed 7 --posts 200
  mealbuddy seed --password-stdin < demo-password.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if users < 1 || users > len(seedNames) {
				return fmt.Errorf("--users must be 1…%d", len(seedNames))
			}
			if posts < 0 || posts > 100_000 {
				return errors.New("--posts must be 0…100000")
			}
			if passwordFlag != "" {
				return errors.New("--password is gone (the process list showed it): set MEALBUDDY_SEED_PASSWORD or use --password-stdin")
			}
			password, err := seedPassword(cmd, passwordStdin)
			if err != nil {
				return err
			}
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.CountUsers(cmd.Context())
			if err != nil {
				return err
			}
			if n > 0 && !force {
				return fmt.Errorf("the database already has %d users; add --force to seed anyway", n)
			}
			rng := rand.New(rand.NewPCG(uint64(seed), 0x6d65616c627564))
			hash, err := newHasher(PasswordCost{}).Hash(password)
			if err != nil {
				return err
			}
			dongs, err := root.neighborhoods()
			if err != nil {
				return err
			}
			created := make([]store.User, 0, users)
			for i := range users {
				d, ok := dongs.Resolve(seedNeighborhoods[i%len(seedNeighborhoods)])
				if !ok {
					return fmt.Errorf("seed neighbourhood %q is not in the dataset", seedNeighborhoods[i%len(seedNeighborhoods)])
				}
				email, name := fmt.Sprintf("user%02d@mealbuddy.test", i+1), seedNames[i]
				if i == 0 {
					email = "demo@mealbuddy.test"
				}
				u, err := st.CreateUser(cmd.Context(), store.NewUser{
					Email: email, Username: name, PasswordHash: hash, Address: d.Name, DongCode: d.Code,
				})
				if errors.Is(err, store.ErrEmailTaken) || errors.Is(err, store.ErrUsernameTaken) {
					if u, err = st.UserByEmail(cmd.Context(), email); err != nil {
						return fmt.Errorf("seed user %s exists under another email; use another data folder", name)
					}
				} else if err != nil {
					return err
				}
				created = append(created, u)
			}
			for i := range posts {
				// Every category appears at least once before any repeats.
				category := menu.Categories[i%len(menu.Categories)]
				if i >= len(menu.Categories) {
					category = menu.Categories[rng.IntN(len(menu.Categories))]
				}
				choices := seedPosts[category]
				text := choices[rng.IntN(len(choices))]
				writer := created[rng.IntN(len(created))]
				if _, err := st.CreatePost(cmd.Context(), store.NewPost{
					WriterID: writer.ID, Title: text[0], Category: category, Content: text[1],
					Address: writer.Address, Area: writer.Area(), TargetNumber: 2 + rng.IntN(5),
				}); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "seeded %d users in %d neighbourhoods and %d posts (seed %d)\n",
				len(created), min(users, len(seedNeighborhoods)), posts, seed)
			fmt.Fprintf(out, "demo login: %s / %s\n", created[0].Email, password)
			return nil
		},
	}
	f := cmd.Flags()
	f.Int64Var(&seed, "seed", 1, "random seed; the same seed gives the same data")
	f.BoolVar(&force, "force", false, "seed even if the database already has users")
	f.BoolVar(&passwordStdin, "password-stdin", false, "read the demo accounts' password from the first line of standard input (else MEALBUDDY_SEED_PASSWORD, else generated and printed)")
	f.StringVar(&passwordFlag, "password", "", "removed: use MEALBUDDY_SEED_PASSWORD or --password-stdin")
	f.MarkHidden("password")
	f.IntVar(&users, "users", 8, "number of demo residents (1–16)")
	f.IntVar(&posts, "posts", 60, "number of demo posts")
	return cmd
}

// seedPassword is the demo accounts' password: the first line of standard
// input with --password-stdin, else MEALBUDDY_SEED_PASSWORD, else a
// generated one (printed once at the end, as a demo login).
func seedPassword(cmd *cobra.Command, fromStdin bool) (string, error) {
	pw := os.Getenv("MEALBUDDY_SEED_PASSWORD")
	if fromStdin {
		var err error
		if pw, err = readPassword(cmd.InOrStdin()); err != nil {
			return "", err
		}
	} else if pw == "" {
		return generatePassword(), nil
	}
	if n := len([]rune(pw)); n < minPasswordLen || n > maxPasswordLen {
		return "", fmt.Errorf("the demo password must be %d to %d characters", minPasswordLen, maxPasswordLen)
	}
	return pw, nil
}
