"""Pages of a spec after its tender: the life-cycle cost calculator, status moves and award, the
contract's milestones, the delivery report. The calculator is open to anyone; the rest answers
only the spec's owning procurer, moderators and admins (others: 404)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from gpp import lcc, lcc_form
from replan import auth, i18n
from replan.web import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])


@router.get("/lcc")
def lcc_page(request: Request) -> Response:
    """The calculator: a GET form, so that a result can be kept and shared by its address."""
    gettext = i18n.gettext_for(request.state.locale)
    form, answer = lcc_form.calculate(request.query_params, gettext)
    ctx = {
        "form": form,
        "answer": answer,
        "method": answer and lcc.method_text(answer.period_years, answer.discount_rate, gettext),
        "option_rows": range(lcc_form.OPTION_ROWS),
        "replacement_rows": range(lcc_form.REPLACEMENT_ROWS),
    }
    status = 422 if form.errors else 200
    return render(request, "gpp/lcc.html", ctx, block="gpp_lcc", status_code=status)
