// Build the portal's stylesheet and copy GOV.UK Frontend's script into portal/static/dist/.
import { mkdirSync, copyFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'portal', 'static', 'dist')
mkdirSync(out, { recursive: true })

const result = sass.compile(join(root, 'assets', 'portal.scss'), {
  style: 'compressed',
  importers: [new sass.NodePackageImporter(root)],
  quietDeps: true
})
writeFileSync(join(out, 'portal.css'), result.css)

const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
copyFileSync(join(govuk, 'govuk-frontend.min.js'), join(out, 'govuk-frontend.min.js'))
console.log('Built portal/static/dist/portal.css and govuk-frontend.min.js')
