// Start GOV.UK Frontend's components. Pages work without this; it only improves them.
import { initAll } from '../dist/govuk-frontend.min.js'

initAll()
