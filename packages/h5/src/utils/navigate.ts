// Full-page navigation away from the wallet (to a payment provider's pages); one place, so tests can mock it.

/**
 * Sends the browser to `url` (a full navigation, leaving the SPA). The provider's pages bring the user back to the
 * wallet's URL, where the page resumes from its route and the session kept in sessionStorage.
 */
export function navigateTo(url: string): void {
  window.location.assign(url);
}
