"""Reference data and small value pools the generator samples from.

Faker is used only here, to build pools of a few hundred names/brands once per run (seeded);
rows then pick pool entries by index with numpy, which is what keeps the generator fast.
"""

from __future__ import annotations

from dataclasses import dataclass

# ISO-3166 alpha-2 country, weight, ISO-4217 currency, USD per unit, phone prefix, languages
COUNTRIES: tuple[tuple[str, float, str, float, str, tuple[tuple[str, float], ...]], ...] = (
    ("US", 0.86, "USD", 1.0, "+1", (("en", 0.9), ("es", 0.1))),
    ("CA", 0.04, "CAD", 0.73, "+1", (("en", 0.75), ("fr", 0.25))),
    ("GB", 0.03, "GBP", 1.27, "+44", (("en", 1.0),)),
    ("MX", 0.02, "MXN", 0.058, "+52", (("es", 1.0),)),
    ("DE", 0.015, "EUR", 1.08, "+49", (("de", 1.0),)),
    ("FR", 0.01, "EUR", 1.08, "+33", (("fr", 1.0),)),
    ("IN", 0.01, "INR", 0.012, "+91", (("en", 0.7), ("hi", 0.3))),
    ("BR", 0.005, "BRL", 0.2, "+55", (("pt", 1.0),)),
    ("AU", 0.005, "AUD", 0.66, "+61", (("en", 1.0),)),
    ("JP", 0.005, "JPY", 0.0067, "+81", (("ja", 1.0),)),
)
CURRENCIES: tuple[str, ...] = ("USD", "CAD", "GBP", "MXN", "EUR", "INR", "BRL", "AUD", "JPY")
USD_PER_UNIT: dict[str, float] = {c[2]: c[3] for c in COUNTRIES}
LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "hi", "pt", "ja")

# US states (and DC) with approximate population weights (millions)
US_STATES: tuple[tuple[str, float], ...] = (
    ("CA", 39.0), ("TX", 30.5), ("FL", 22.6), ("NY", 19.6), ("PA", 13.0), ("IL", 12.5),
    ("OH", 11.8), ("GA", 11.0), ("NC", 10.8), ("MI", 10.0), ("NJ", 9.3), ("VA", 8.7),
    ("WA", 7.8), ("AZ", 7.4), ("TN", 7.1), ("MA", 7.0), ("IN", 6.9), ("MD", 6.2),
    ("MO", 6.2), ("WI", 5.9), ("CO", 5.9), ("MN", 5.7), ("SC", 5.4), ("AL", 5.1),
    ("LA", 4.6), ("KY", 4.5), ("OR", 4.2), ("OK", 4.1), ("CT", 3.6), ("UT", 3.4),
    ("IA", 3.2), ("NV", 3.2), ("AR", 3.1), ("MS", 2.9), ("KS", 2.9), ("NM", 2.1),
    ("NE", 2.0), ("ID", 1.9), ("WV", 1.8), ("HI", 1.4), ("NH", 1.4), ("ME", 1.4),
    ("MT", 1.1), ("RI", 1.1), ("DE", 1.0), ("SD", 0.9), ("ND", 0.8), ("AK", 0.7),
    ("DC", 0.7), ("VT", 0.6), ("WY", 0.6),
)

# Product categories: (name, median unit price USD, subcategories)
CATEGORIES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("Electronics", 140.0, ("Headphones", "Smartphones", "Laptops", "Cameras", "Smart Home")),
    ("Home & Kitchen", 45.0, ("Cookware", "Bedding", "Furniture", "Storage", "Appliances")),
    ("Fashion", 38.0, ("Shoes", "Dresses", "Jackets", "Accessories", "Activewear")),
    ("Beauty", 22.0, ("Skincare", "Makeup", "Fragrance", "Hair Care")),
    ("Sports & Outdoors", 55.0, ("Camping", "Fitness", "Cycling", "Team Sports")),
    ("Toys & Games", 25.0, ("Board Games", "Puzzles", "Building Sets", "Dolls")),
    ("Books", 14.0, ("Fiction", "Non-Fiction", "Children", "Cookbooks")),
    ("Grocery", 9.0, ("Snacks", "Beverages", "Pantry", "Coffee & Tea")),
    ("Health", 18.0, ("Vitamins", "Personal Care", "Medical Supplies")),
    ("Automotive", 48.0, ("Car Care", "Accessories", "Tools", "Electronics")),
)
PRODUCT_ADJECTIVES: tuple[str, ...] = (
    "Premium", "Classic", "Essential", "Ultra", "Pro", "Eco", "Compact", "Deluxe", "Smart",
    "Everyday", "Travel", "Signature", "Lightweight", "Heavy-Duty", "Organic", "Vintage",
)

ORDER_STATUSES = ("completed", "cancelled", "pending", "returned")
ORDER_CHANNELS = ("web", "mobile", "in-store", "partner")
KYC_STATUSES = ("pending", "verified", "failed", "expired")
ACCOUNT_STATUSES = ("active", "suspended", "closed", "dormant")
TXN_TYPES = ("purchase", "refund", "reversal", "fee")
TXN_STATUSES = ("success", "failed", "pending", "reversed")
PAYMENT_METHODS = ("card", "ach", "wallet", "wire")
EVENT_TYPES = ("page_view", "click", "form_submit", "login", "logout")
DEVICE_TYPES = ("mobile", "desktop", "tablet")
CAMPAIGN_CHANNELS = ("email", "sms", "push", "in-app")
TICKET_CATEGORIES = ("billing", "fraud", "technical", "account", "general")
TICKET_PRIORITIES = ("low", "medium", "high", "critical")
TICKET_STATUSES = ("open", "in-progress", "resolved", "closed")

# The spec's enumerations per source column (staging compares after trim + lower).
ENUMERATIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("customers", "kyc_status"): KYC_STATUSES,
    ("customers", "account_status"): ACCOUNT_STATUSES,
    ("orders", "order_status"): ORDER_STATUSES,
    ("orders", "channel"): ORDER_CHANNELS,
    ("transactions", "transaction_type"): TXN_TYPES,
    ("transactions", "status"): TXN_STATUSES,
    ("transactions", "payment_method"): PAYMENT_METHODS,
    ("events", "event_type"): EVENT_TYPES,
    ("events", "device_type"): DEVICE_TYPES,
    ("campaigns", "channel"): CAMPAIGN_CHANNELS,
    ("support_tickets", "category"): TICKET_CATEGORIES,
    ("support_tickets", "priority"): TICKET_PRIORITIES,
    ("support_tickets", "status"): TICKET_STATUSES,
}

BROWSERS: dict[str, tuple[tuple[str, float], ...]] = {
    "mobile": (("Chrome Mobile 131", 0.38), ("Mobile Safari 18", 0.34),
               ("Samsung Internet 27", 0.08), ("iOS App 5.12", 0.12), ("Android App 5.12", 0.08)),
    "desktop": (("Chrome 131", 0.62), ("Safari 18", 0.14), ("Firefox 133", 0.08),
                ("Edge 131", 0.16)),
    "tablet": (("Mobile Safari 18", 0.6), ("Chrome Mobile 131", 0.3), ("Silk 128", 0.1)),
}
# browsers fraud actors' takeover sessions use (rare for everybody else)
RARE_BROWSERS: tuple[str, ...] = ("Opera 114", "Tor Browser 14", "HeadlessChrome 131", "Yandex 24")

CAMPAIGN_THEMES: tuple[str, ...] = (
    "Welcome Series", "Win-Back", "Loyalty Rewards", "Flash Sale", "Weekend Deals",
    "Cart Reminder", "Product Launch", "Seasonal Sale", "Referral Bonus", "Price Drop Alert",
)
EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 0.42), ("yahoo.com", 0.14), ("outlook.com", 0.1), ("hotmail.com", 0.09),
    ("icloud.com", 0.1), ("aol.com", 0.03), ("proton.me", 0.02), ("comcast.net", 0.03),
    ("mail.com", 0.02), ("live.com", 0.05),
)
SITE = "https://www.c360shop.example"


def slug(text: str) -> str:
    """``Toys & Games`` -> ``toys-games``."""
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Pools:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    brands: tuple[str, ...]
    search_terms: tuple[str, ...]


def build_pools(seed: int, n_names: int = 1000, n_brands: int = 300) -> Pools:
    """Seeded Faker pools: ``2 * n`` draws, deduplicated and sorted (Faker's popularity
    weighting makes frequent names likelier to be in the pool; rows then pick uniformly)."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)

    def unique(fn, n: int, draws: int = 2) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        tries = 0
        while len(seen) < n and tries < n * draws:
            v = fn()
            tries += 1
            if v.isascii() and '"' not in v and "\\" not in v and "," not in v:
                seen.setdefault(v, None)
        return tuple(sorted(seen))

    def alpha(fn):  # plain letters only: names go into emails and CSV/JSON unescaped
        def draw() -> str:
            v = fn()
            return v if v.isalpha() else '"'
        return draw

    first = unique(alpha(fake.first_name), n_names)
    last = unique(alpha(fake.last_name), n_names)
    brands = unique(lambda: fake.last_name() + fake.random_element(
        (" Co", " Labs", " & Sons", " Works", " Goods", "", " Brands")), n_brands)
    terms = unique(lambda: fake.word(), 300)
    return Pools(first, last, brands, terms)
