// The tab title: the page's own title, led by the total unread count of my
// chats ("(3) 사직동 · 밀버디") while there is any.

let page = '';
let unread = 0;

function apply() {
  if (typeof document === 'undefined') return;
  const base = page ? `${page} · 밀버디` : '밀버디 MealBuddy';
  document.title = unread > 0 ? `(${unread > 99 ? '99+' : unread}) ${base}` : base;
}

/** Called by useDocumentTitle on every page. */
export function setPageTitle(title: string) {
  page = title;
  apply();
}

/** Called by the chat list provider when the total changes (0 when signed out). */
export function setUnreadCount(n: number) {
  unread = n;
  apply();
}
