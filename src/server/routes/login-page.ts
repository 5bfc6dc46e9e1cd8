/**
 * The login form of accounts mode: plain HTML posting name and password to `/login`, no script
 * (the CSP allows none inline) and nothing from elsewhere. `message` is escaped. Hidden fields:
 * the pre-session CSRF token (its cookie is set with the page, csrf.ts) and `next`, where to go
 * after the login (already checked by `safeNext`; escaped all the same).
 */
export interface LoginForm {
  csrf: string;
  next?: string | undefined;
  /** single sign-on is configured: a link to it below the form */
  sso?: boolean;
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function loginPage(message: string | undefined, name: string, form: LoginForm): string {
  const hidden =
    `<input type="hidden" name="csrf" value="${escape(form.csrf)}">` +
    (form.next ? `<input type="hidden" name="next" value="${escape(form.next)}">` : '');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Log in · Quire</title>
<style>body{font:16px system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}button{margin-top:1rem;padding:.4rem 1.2rem;font:inherit}p.error{color:#b00020}</style>
</head>
<body>
<h1>Quire</h1>
${message ? `<p class="error" role="alert">${escape(message)}</p>\n` : ''}<form method="post" action="/login">${hidden}
<label for="name">Name</label><input id="name" name="name" autocomplete="username" required value="${escape(name)}" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
${form.sso ? '<p><a href="/login/oidc">Sign in with single sign-on</a></p>\n' : ''}</body>
</html>
`;
}
