import { FormEvent, useEffect, useState } from 'react';
import { useUser } from '../auth';
import { api, path } from '../lib/api';
import { CATEGORIES, categoryLabel, TARGET_MAX, TARGET_MIN, TITLE_MAX } from '../lib/constants';
import { useForm } from '../lib/form';
import { useApi, useDocumentTitle } from '../lib/hooks';
import { Link, navigate } from '../lib/router';
import type { Post } from '../lib/types';
import { charCount, PostInput, validatePost } from '../lib/validation';
import { ErrorPanel, Field, FormErrors, Loading, TextField } from '../components/ui';
import { NotFound } from './NotFound';
import { OrderFields } from '../order/OrderFields';
import { newOrderInput, ORDER_FIELDS, orderBody, orderEditBody, OrderInput, orderInputFrom, validateOrder } from '../order/orderForm';
import { useNow } from '../order/useNow';

const FIELDS = ['title', 'category', 'target_number', 'content', ...ORDER_FIELDS] as const;
const TARGETS = Array.from({ length: TARGET_MAX - TARGET_MIN + 1 }, (_, i) => TARGET_MIN + i);

/** Write (/write/) or edit (/post/:id/edit/) a post. */
export function PostForm({ id }: { id?: string }) {
  const user = useUser();
  const editing = id !== undefined;
  useDocumentTitle(editing ? '모집 글 수정' : '모집 글 쓰기');
  const existing = useApi<Post>(editing ? path`/api/post/detail/${id}/` : null);
  const [v, setV] = useState<PostInput>({ title: '', category: '', target_number: '4', content: '' });
  const now = useNow(30000);
  const [o, setO] = useState<OrderInput>(() => newOrderInput(Date.now()));
  const [o0, setO0] = useState<OrderInput | null>(null);
  const { errors, formErrors, busy, submit, formRef, announcement } = useForm(FIELDS, {
    values: { ...v },
    validate: () => validatePost(v, existing.data?.join_number ?? 0),
  });

  useEffect(() => {
    const p = existing.data;
    if (p) setV({ title: p.title, category: p.category, target_number: String(p.target_number), content: p.content });
    if (p) {
      const oi = orderInputFrom(p, Date.now());
      setO(oi);
      setO0(oi);
    }
  }, [existing.data]);

  if (editing) {
    if (existing.loading) return <Loading label="글을 불러오는 중" />;
    if (existing.error?.status === 404) return <NotFound message="삭제되었거나 없는 글이에요." />;
    if (existing.error) return <ErrorPanel message={existing.error.message} onRetry={existing.reload} />;
    if (existing.data && existing.data.writer.id !== user.id)
      return <ErrorPanel title="수정할 수 없어요" message="글쓴이만 글을 수정할 수 있어요." />;
  }

  const set = (k: keyof PostInput) => (val: string) => setV((o) => ({ ...o, [k]: val }));

  const hadOrder = !!existing.data?.order_state;
  const frozen = hadOrder && existing.data?.order_state !== 'recruiting';

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const at = Date.now();
    const body = {
      title: v.title.trim(),
      category: v.category,
      target_number: Number(v.target_number),
      content: v.content.trim(),
      ...(frozen ? {} : editing && o0 ? orderEditBody(o, o0, at) : orderBody(o, at)),
    };
    const clientErrors = { ...validatePost(v, existing.data?.join_number ?? 0), ...(frozen ? {} : validateOrder(o, at)) };
    void submit(clientErrors, async () => {
      const p = await api<Post>(editing ? path`/api/post/detail/${id}/edit/` : '/api/post/write/', {
        method: 'POST',
        body,
      });
      navigate(path`/post/${p.id}/`, { replace: editing });
    });
  }

  const titleLen = charCount(v.title.trim());

  return (
    <section className="panel">
      <h1>{editing ? '모집 글 수정' : '모집 글 쓰기'}</h1>
      {!editing && (
        <p className="muted">
          {user.neighborhood?.name ?? user.address} 이웃에게 보여요. 글을 쓰면 채팅방이 함께 만들어져요.
        </p>
      )}
      <FormErrors errors={formErrors} announcement={announcement} />
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        <TextField
          label="제목"
          name="title"
          value={v.title}
          onChange={set('title')}
          errors={errors.title}
          hint={
            <span className={titleLen > TITLE_MAX ? 'over' : undefined}>
              {titleLen}/{TITLE_MAX}자
            </span>
          }
          maxLength={TITLE_MAX}
          placeholder="예: 7시에 치킨 같이 시켜요"
          testId="post-title"
          required
        />
        <div className="grid-2">
          <Field label="카테고리" name="category" errors={errors.category}>
            {({ id: fid, describedBy, invalid }) => (
              <select
                id={fid}
                value={v.category}
                onChange={(e) => set('category')(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                data-testid="post-category"
                required
              >
                <option value="">골라 주세요</option>
                {CATEGORIES.map((c) => (
                  <option key={c} value={c}>
                    {categoryLabel(c)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="모집 인원 (나 포함)"
            name="target_number"
            errors={errors.target_number}
            hint={existing.data ? `지금 ${existing.data.join_number}명 참여 중` : undefined}
          >
            {({ id: fid, describedBy, invalid }) => (
              <select
                id={fid}
                value={String(v.target_number)}
                onChange={(e) => set('target_number')(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                data-testid="post-target"
              >
                {TARGETS.map((n) => (
                  <option key={n} value={n}>
                    {n}명
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <OrderFields
          v={o}
          set={(patch) => setO((x) => ({ ...x, ...patch }))}
          errors={errors}
          people={Number(v.target_number) || 1}
          now={now}
          locked={hadOrder}
          frozen={frozen}
        />
        <Field label="내용" name="content" errors={errors.content}>
          {({ id: fid, describedBy, invalid }) => (
            <textarea
              id={fid}
              rows={6}
              value={v.content}
              onChange={(e) => set('content')(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              placeholder={o.enabled ? '메뉴 추천, 함께 시킬 것 등 하고 싶은 말을 적어 주세요.' : '가게, 주문 시간, 받을 곳, 나눌 방법을 적어 주세요.'}
              data-testid="post-content"
              required
            />
          )}
        </Field>
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="post-submit">
            {busy ? '저장하는 중…' : editing ? '수정하기' : '올리기'}
          </button>
          <Link className="btn btn-ghost" to={editing ? path`/post/${id}/` : '/'}>
            취소
          </Link>
        </div>
      </form>
    </section>
  );
}
