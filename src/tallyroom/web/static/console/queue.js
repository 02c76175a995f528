// The flagged-protocol queue kept live: the server's event stream says which station's item
// is new, changed or gone; the item itself is fetched as the server renders it (in the page's
// language, with the session's CSRF token in its forms), so nothing is drawn twice.

const list = document.getElementById("queue-items");
const empty = document.getElementById("queue-empty");
const live = document.getElementById("queue-live");
const language = document.documentElement.lang;

function itemOf(station) {
  return document.getElementById(`item-${station}`);
}

function showEmptiness() {
  empty.hidden = list.querySelector(".queue-item") !== null;
}

function placeInOrder(element) {
  const station = element.dataset.station;
  const after = [...list.querySelectorAll(".queue-item")].find(
    (other) => other.dataset.station > station,
  );
  list.insertBefore(element, after ?? null);
}

async function refresh(item) {
  const current = itemOf(item.station);
  const version = item.version === null ? "" : String(item.version);
  const photo = item.photo_sha256 ? (item.photo_stored ? "stored" : "awaited") : "none";
  // The same version in the same state (its photo too, which arrives after the numbers):
  // keep what the reader may be typing into its forms.
  if (
    current &&
    current.dataset.version === version &&
    current.dataset.status === item.status &&
    current.dataset.photoState === photo
  ) {
    return;
  }
  const address = `${list.dataset.itemUrl}${encodeURIComponent(item.station)}?lang=${language}`;
  const response = await fetch(address, { credentials: "same-origin", cache: "no-store" });
  if (response.status === 404) {
    current?.remove();
    showEmptiness();
    return;
  }
  if (!response.ok) {
    return;
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.querySelector(".queue-item");
  if (!fresh) {
    return;
  }
  const adopted = document.importNode(fresh, true);
  if (current) {
    current.replaceWith(adopted);
  } else {
    placeInOrder(adopted);
  }
  showEmptiness();
}

function listen() {
  const stream = new EventSource(list.dataset.stream);
  stream.addEventListener("open", () => {
    live.dataset.state = "on";
    live.textContent = list.dataset.textLive;
  });
  stream.addEventListener("error", () => {
    live.dataset.state = "reconnecting";
    live.textContent = list.dataset.textLost;
  });
  stream.addEventListener("item", (event) => {
    refresh(JSON.parse(event.data));
  });
  stream.addEventListener("removed", (event) => {
    itemOf(JSON.parse(event.data).station)?.remove();
    showEmptiness();
  });
}

if (list) {
  listen();
}
