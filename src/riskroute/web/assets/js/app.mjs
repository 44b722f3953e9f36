// Starts GOV.UK Frontend's components. Loaded as a module from a static file (never inline) so
// that the Content Security Policy can forbid inline scripts.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// htmx swaps new markup in without a page load: start any components it brought.
document.body.addEventListener("htmx:afterSwap", (event) => {
  initAll({ scope: event.target });
});
