"""Every page of the app, in menu order; app.py builds the navigation and the home page its links from it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    path: str  # script under pages/
    title: str
    icon: str
    blurb: str  # one line for the home page's list of views

    @property
    def url_path(self) -> str:
        """The page's address, e.g. /attention (empty for the home page)."""
        name = self.path.removeprefix("pages/").removesuffix(".py")
        return "" if name == "home" else name


PAGES = (
    PageInfo("pages/home.py", "Home", "🏠", "the model in brief and how BERT reads your input"),
    PageInfo("pages/finetune.py", "Fine-tune", "🏋️", "train a copy of BERT for one of its four uses and inspect it"),
)
