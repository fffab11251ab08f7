// The dashboard's sign-in callback (its redirectUri): hands the authorization server's answer
// to the dashboard that opened this popup, then closes. A file of its own: the page's
// Content-Security-Policy allows no inline script.
import { finishAuthorization } from '../pkg/index.js';

finishAuthorization();
