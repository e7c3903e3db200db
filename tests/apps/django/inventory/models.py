from django.db import models


class Widget(models.Model):
    name = models.CharField(max_length=200)
    price_cents = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "widgets"
        indexes = [models.Index(fields=["name"], name="widgets_name_idx")]

    def __str__(self):
        return self.name
