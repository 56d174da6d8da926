// Quietly save forms marked data-autosave a few seconds after the person stops typing.
// Without JavaScript nothing changes: the "Save and continue" button saves as before.
// The server answers JSON: {saved, version, message}; a conflict (409) stops autosaving so the
// person's next manual save shows both versions side by side.

const DELAY_MS = 4000

for (const form of document.querySelectorAll('form[data-autosave]')) {
  const status = form.querySelector('.portal-autosave')
  const version = form.querySelector('input[name="version"]')
  let timer = null
  let stopped = false
  let inFlight = false

  const say = (message) => { if (status) status.textContent = message }

  const save = async () => {
    if (stopped || inFlight) return
    inFlight = true
    const data = new FormData(form)
    data.delete('completed') // a quiet save never marks the section as finished
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        body: data,
        headers: { 'X-Autosave': '1', Accept: 'application/json' },
        credentials: 'same-origin',
        redirect: 'manual'
      })
      if (response.type === 'opaqueredirect' || response.status === 0) {
        stopped = true
        say('Not saved: you have been signed out. Use the button to save: we will keep what you typed.')
        return
      }
      const body = await response.json()
      if (body.saved && version) version.value = String(body.version)
      if (body.stop) stopped = true
      say(body.message)
    } catch (error) {
      say('Not saved: check your connection. Your text is still here.')
    } finally {
      inFlight = false
    }
  }

  form.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(save, DELAY_MS)
  })
  form.addEventListener('submit', () => { clearTimeout(timer); stopped = true })
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden' && timer) { clearTimeout(timer); timer = null; save() }
  })
}
