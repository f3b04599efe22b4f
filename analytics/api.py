"""The staff analytics endpoint."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.selectors import analytics_summary
from analytics.serializers import PeriodQuerySerializer, SummarySerializer
from config.api import error_responses


class AnalyticsSummaryView(APIView):
    """Revenue, orders, best sellers, promo codes and wave fill over a range of days (Europe/Moscow)."""

    permission_classes = [IsAdminUser]

    @extend_schema(
        parameters=[PeriodQuerySerializer],
        responses={200: SummarySerializer, **error_responses(400, 401, 403)},
        tags=["analytics"],
    )
    def get(self, request):
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = analytics_summary(period=query.validated_data["period"])
        return Response(SummarySerializer(summary).data)
