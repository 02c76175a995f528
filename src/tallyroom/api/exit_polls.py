"""Routes of exit polls: a pollster's credential (the commission), the declared sample and
the estimates (the pollster's credential), and the published report (after the close)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import caller_of
from tallyroom.api.errors import error_responses
from tallyroom.api.observers import checked_json, writer
from tallyroom.api.openapi_contract import command, command_responses
from tallyroom.api.request_bodies import CommissionBody, StationCode, validated
from tallyroom.api.runtime import bearer_token, runtime_of
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.watchers import exit_polls

router = APIRouter(prefix="/api/v1", tags=["exit-polls"])
Percent = Annotated[float, Field(ge=0, le=100)]


class PollsterCredentialBody(BaseModel):
    model_config = ConfigDict(title="PollsterCredential")
    organisation: str
    credential: str


class SampleBody(CommissionBody):
    model_config = ConfigDict(
        title="ExitPollSampleDeclaration",
        extra="forbid",
        json_schema_extra={"examples": [{"stations": ["001-0001", "001-0002"]}]},
    )
    stations: Annotated[list[StationCode], Field(min_length=1, max_length=5000)]


class EstimateBody(BaseModel):
    model_config = ConfigDict(title="ExitPollEstimate", extra="forbid")
    station: StationCode
    turnout_percent: Percent
    shares: Annotated[dict[Annotated[str, Field(max_length=32)], Percent], Field(max_length=100)]


class EstimatesBody(CommissionBody):
    model_config = ConfigDict(
        title="ExitPollEstimates",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "estimates": [
                        {"station": "001-0001", "turnout_percent": 61.5, "shares": {"C001": 52.0}}
                    ]
                }
            ]
        },
    )
    estimates: Annotated[list[EstimateBody], Field(min_length=1, max_length=1000)]


class CountOfBody(BaseModel):
    model_config = ConfigDict(title="Stored")
    stored: int


class ScorecardBody(BaseModel):
    model_config = ConfigDict(title="ExitPollScorecard")
    organisation: str
    name: str
    partner: str | None
    stations_sampled: int
    stations_reported: int
    stations_compared: int
    station_mae: float | None
    turnout_mae: float | None
    national_mae: float | None


class StationEstimateBody(BaseModel):
    model_config = ConfigDict(title="ExitPollStation")
    station: str
    estimated_turnout: float
    official_turnout: float | None
    absolute_error: float | None
    shares: dict[str, list[float | None]]


class ExitPollReportBody(BaseModel):
    model_config = ConfigDict(title="ExitPollReport")
    scorecards: list[ScorecardBody]
    official_national: dict[str, float]
    stations: dict[str, list[StationEstimateBody]]


@router.post(
    "/exit-polls/{code}/credential",
    summary="Issue an exit-poll organisation's credential",
    status_code=201,
    responses=command_responses({201: (PollsterCredentialBody, "shown once")}),
    openapi_extra=command(),
)
async def post_pollster_credential(code: str, request: Request) -> JSONResponse:
    credential = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: exit_polls.issue_pollster_credential(
            session, principal=principal, code=code
        ),
    )
    return JSONResponse({"organisation": code, "credential": credential}, status_code=201)


@router.post(
    "/exit-poll/sample",
    summary="Declare sampled stations (before polling day; the organisation's credential)",
    status_code=201,
    responses=command_responses({201: (CountOfBody, "stations added")}),
    openapi_extra=command(SampleBody, body="the stations"),
)
async def post_sample(request: Request) -> JSONResponse:
    body = validated(SampleBody, await checked_json(request))
    runtime = runtime_of(request)
    credential = bearer_token(request)

    def declare(session: Session) -> int:
        pollster = exit_polls.authenticate_pollster(session, credential)
        election = election_of(election_row(session, None))
        return exit_polls.declare_sample(
            session, pollster=pollster, stations=body.stations, now=runtime.clock.now(election)
        )

    stored = await run_in_threadpool(writer(runtime), declare)
    return JSONResponse({"stored": stored}, status_code=201)


@router.post(
    "/exit-poll/estimates",
    summary="Submit per-station estimates (the organisation's credential)",
    status_code=201,
    responses=command_responses({201: (CountOfBody, "stored")}),
    openapi_extra=command(EstimatesBody, body="the estimates"),
)
async def post_estimates(request: Request) -> JSONResponse:
    body = validated(EstimatesBody, await checked_json(request))
    credential = bearer_token(request)
    estimates = [
        exit_polls.Estimate(e.station, e.turnout_percent, e.shares) for e in body.estimates
    ]

    def submit(session: Session) -> int:
        pollster = exit_polls.authenticate_pollster(session, credential)
        return exit_polls.submit_estimates(session, pollster=pollster, estimates=estimates)

    stored = await run_in_threadpool(writer(runtime_of(request)), submit)
    return JSONResponse({"stored": stored}, status_code=201)


def report_json(report: exit_polls.ExitPollReport) -> dict[str, Any]:
    return {
        "scorecards": [
            {
                "organisation": c.organisation,
                "name": c.name,
                "partner": c.partner,
                "stations_sampled": c.stations_sampled,
                "stations_reported": c.stations_reported,
                "stations_compared": c.stations_compared,
                "station_mae": c.station_mae,
                "turnout_mae": c.turnout_mae,
                "national_mae": c.national_mae,
            }
            for c in report.scorecards
        ],
        "official_national": dict(report.official_national),
        "stations": {
            code: [
                {
                    "station": s.station,
                    "estimated_turnout": s.estimated_turnout,
                    "official_turnout": s.official_turnout,
                    "absolute_error": s.absolute_error,
                    "shares": {k: list(v) for k, v in s.shares.items()},
                }
                for s in stations
            ]
            for code, stations in report.stations.items()
        },
    }


@router.get(
    "/exit-polls",
    summary="Exit polls beside the official results, with each organisation's scorecard",
    response_model=ExitPollReportBody,
    responses=error_responses(403),
)
async def get_exit_polls(request: Request) -> JSONResponse:
    runtime = runtime_of(request)

    def read(session: Session) -> exit_polls.ExitPollReport:
        election = election_of(election_row(session, None))
        return exit_polls.exit_poll_report(session, now=runtime.clock.now(election))

    report = await run_in_threadpool(runtime.read, read)
    return JSONResponse(report_json(report))
