import { Link } from '../lib/router';
import { useDocumentTitle } from '../lib/hooks';

export function NotFound({ message }: { message?: string }) {
  useDocumentTitle('찾을 수 없어요');
  return (
    <section className="panel center" data-testid="not-found">
      <h1>페이지를 찾을 수 없어요</h1>
      <p>{message ?? '주소가 바뀌었거나 삭제된 페이지예요.'}</p>
      <Link className="btn btn-primary" to="/">
        게시판으로
      </Link>
    </section>
  );
}
