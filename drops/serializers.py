from rest_framework import serializers

from drops.services import PlaceStatus


class QueuePlaceSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[status.value for status in PlaceStatus],
        help_text="waiting — в очереди; admitted — можно заказать до admitted_until; closed — очередь не нужна "
        "или время на покупку истекло (POST встанет в очередь снова).",
    )
    position = serializers.IntegerField(allow_null=True, help_text="Место в очереди; до старта — null.")
    ahead = serializers.IntegerField(allow_null=True, help_text="Сколько покупателей впереди.")
    admit_at = serializers.DateTimeField(allow_null=True, help_text="Когда пустят (оценка).")
    admitted_until = serializers.DateTimeField(allow_null=True)
    sale_starts_at = serializers.DateTimeField(allow_null=True)
    progress = serializers.IntegerField(help_text="Сколько пройдено, %.")
    token = serializers.CharField(help_text="Подписанный пропуск: передайте в ?token=, чтобы обновлять дешевле.")
    detail = serializers.CharField()
    paused = serializers.BooleanField(help_text="Продажа приостановлена: место сохраняется, время стоит.")
