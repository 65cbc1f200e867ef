// Remember the edition a reader picks with the header's language switch: the site root
// (index.html, written by chapters/_ext/editions.py) opens that edition next time.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.edition-switch[data-edition]");
  if (!link) return;
  try {
    localStorage.setItem("optimizer-book-edition", link.dataset.edition);
  } catch (e) {
    // storage disabled (private mode, file:// policies): the link still works
  }
});
