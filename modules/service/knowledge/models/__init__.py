from modules.service.knowledge.models.article import Article, ArticleRating, ArticleVersion
from modules.service.knowledge.models.category import KnowledgeCategory

__all__ = ["Article", "ArticleRating", "ArticleVersion", "KnowledgeCategory"]
