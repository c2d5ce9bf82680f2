import { Link } from '../lib/router';
import { useDocumentTitle } from '../lib/hooks';

export function Landing() {
  useDocumentTitle('');
  return (
    <div className="landing">
      <section className="hero">
        <h1>
          배달비는 나누고,
          <br />
          최소주문은 함께 채워요
        </h1>
        <p className="lead">
          밀버디는 같은 동네(행정동) 이웃끼리 배달 주문을 모아 배달비를 나누는 커뮤니티예요. 먹고 싶은 메뉴로 모집 글을
          올리거나 이웃의 글에 참여하고, 실시간 채팅으로 주문을 맞춰 보세요.
        </p>
        <div className="row">
          <Link className="btn btn-primary btn-lg" to="/register/" data-testid="landing-register">
            회원가입
          </Link>
          <Link className="btn btn-lg" to="/login/" data-testid="landing-login">
            로그인
          </Link>
        </div>
      </section>
      <section className="features" aria-label="밀버디 사용법">
        <div className="feature">
          <h2>1. 우리 동네 게시판</h2>
          <p>가입할 때 고른 행정동의 모집 글을 카테고리별로 봐요. 가까운 동네까지 넓혀 볼 수도 있어요.</p>
        </div>
        <div className="feature">
          <h2>2. 함께 주문하기</h2>
          <p>모집 인원이 찰 때까지 참여하고, 채팅방에서 메뉴와 시간, 받을 곳을 정해요.</p>
        </div>
        <div className="feature">
          <h2>3. 뭘 먹을지 모르겠다면</h2>
          <p>오늘 날씨와 동네의 모집 글을 보고 메뉴를 추천해 드려요.</p>
        </div>
      </section>
    </div>
  );
}
