// Start GOV.UK Frontend's components. Pages work without this; it only improves them.
import { initAll } from '../dist/govuk-frontend.min.js'

initAll()

// GOV.UK's conditional reveal marks each radio aria-expanded, which ARIA does not allow on a radio (axe's
// aria-allowed-attr). The revealed fields follow their radio in the page, so nothing is lost without it.
// Its own handlers run first (on the radios' container, or registered earlier), then this takes it off again.
function dropExpandedFromRadios () {
  document.querySelectorAll('input[type="radio"][aria-expanded]').forEach(($input) => {
    $input.removeAttribute('aria-expanded')
  })
}
dropExpandedFromRadios()
document.addEventListener('click', dropExpandedFromRadios)
window.addEventListener('pageshow', dropExpandedFromRadios)
