// Keeps an analysis run page current without a reload; the page works without it too.
const root = document.querySelector('[data-module="engage-run-status"]')

async function poll () {
  const response = await fetch(root.dataset.statusUrl, { headers: { Accept: 'application/json' } })
  if (!response.ok) return
  const run = await response.json()
  root.querySelector('[data-run-message]').textContent = run.message
  root.querySelector('[data-run-progress]').textContent = run.progress
  root.querySelector('progress').value = run.progress
  if (run.finished) {
    window.location.reload()
  } else {
    window.setTimeout(poll, 2000)
  }
}

if (root && root.dataset.finished !== 'true') {
  window.setTimeout(poll, 2000)
}
