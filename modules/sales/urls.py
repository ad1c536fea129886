"""URLs of the sales pages: the pipeline side (leads, deals, board) and the catalogue/reporting side
(products, price lists, quotes, forecast, team activity)."""

from modules.sales.urls_catalog import urlpatterns as catalog_patterns
from modules.sales.urls_pipeline import urlpatterns as pipeline_patterns

app_name = "sales"

urlpatterns = [*pipeline_patterns, *catalog_patterns]
