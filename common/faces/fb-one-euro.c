/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-one-euro.h"

#include <math.h>
#include <string.h>

/* Used when the very first step does not advance time. */
#define FALLBACK_STEP (1.0 / 30.0)

/* Smoothing factor of an exponential filter with the given cutoff at time step dt. */
static float
smoothing_factor (float cutoff, double dt)
{
  double tau = 1.0 / (2.0 * G_PI * cutoff);
  return (float) (1.0 / (1.0 + tau / dt));
}

/* Advances the filter's clock to t; returns the time step to use. */
static double
advance (double *time, double *step, double t)
{
  double dt = t - *time;

  if (dt > 0)
    *step = dt;
  else
    dt = *step > 0 ? *step : FALLBACK_STEP;
  *time = t;
  return dt;
}

void
fb_one_euro_reset (FbOneEuro * filter)
{
  memset (filter, 0, sizeof (*filter));
}

float
fb_one_euro_filter (FbOneEuro * filter, const FbOneEuroParams * params, float x, double t)
{
  double dt;
  float speed, alpha;

  if (!filter->started) {
    filter->value = x;
    filter->speed = 0;
    filter->time = t;
    filter->step = 0;
    filter->started = TRUE;
    return x;
  }
  dt = advance (&filter->time, &filter->step, t);
  speed = (float) ((x - filter->value) / dt);
  alpha = smoothing_factor (params->d_cutoff, dt);
  filter->speed += alpha * (speed - filter->speed);
  alpha = smoothing_factor (params->min_cutoff + params->beta * fabsf (filter->speed), dt);
  filter->value += alpha * (x - filter->value);
  return filter->value;
}

void
fb_one_euro_point_reset (FbOneEuroPoint * filter)
{
  memset (filter, 0, sizeof (*filter));
}

FbPoint
fb_one_euro_point_filter (FbOneEuroPoint * filter, const FbOneEuroParams * params,
    FbPoint p, double t)
{
  double dt;
  float alpha;
  FbPoint speed;

  if (!filter->started) {
    filter->value = p;
    filter->speed.x = filter->speed.y = 0;
    filter->time = t;
    filter->step = 0;
    filter->started = TRUE;
    return p;
  }
  dt = advance (&filter->time, &filter->step, t);
  speed.x = (float) ((p.x - filter->value.x) / dt);
  speed.y = (float) ((p.y - filter->value.y) / dt);
  alpha = smoothing_factor (params->d_cutoff, dt);
  filter->speed.x += alpha * (speed.x - filter->speed.x);
  filter->speed.y += alpha * (speed.y - filter->speed.y);
  alpha = smoothing_factor (params->min_cutoff
      + params->beta * hypotf (filter->speed.x, filter->speed.y), dt);
  filter->value.x += alpha * (p.x - filter->value.x);
  filter->value.y += alpha * (p.y - filter->value.y);
  return filter->value;
}

void
fb_one_euro_face_reset (FbOneEuroFace * filter)
{
  memset (filter, 0, sizeof (*filter));
}

void
fb_one_euro_face_filter (FbOneEuroFace * filter, const FbOneEuroParams * params,
    const FbLandmarks * raw, const FbLandmarks * carried, double t,
    FbLandmarks * smoothed)
{
  float alpha_speed, alpha_lid_speed;
  double dt;
  int i;

  if (!filter->started) {
    memset (filter, 0, sizeof (*filter));
    memcpy (filter->value, raw->points, sizeof filter->value);
    filter->time = t;
    filter->started = TRUE;
    *smoothed = *raw;
    return;
  }
  dt = advance (&filter->time, &filter->step, t);
  alpha_speed = smoothing_factor (params->d_cutoff, dt);
  alpha_lid_speed = smoothing_factor (params->lid_d_cutoff, dt);
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    FbPoint *value = &filter->value[i], *speed = &filter->speed[i];
    const float dead_speed = i <= FB_LM_JAW_LAST ? params->jaw_dead_speed
        : params->dead_speed;
    const float a = fb_landmark_is_eyelid (i) ? alpha_lid_speed : alpha_speed;
    float alpha;

    *value = carried->points[i];
    speed->x += a * ((float) ((raw->points[i].x - value->x) / dt) - speed->x);
    speed->y += a * ((float) ((raw->points[i].y - value->y) / dt) - speed->y);
    alpha = smoothing_factor (params->min_cutoff + params->beta
        * MAX (hypotf (speed->x, speed->y) - dead_speed, 0), dt);
    value->x += alpha * (raw->points[i].x - value->x);
    value->y += alpha * (raw->points[i].y - value->y);
  }
  memcpy (smoothed->points, filter->value, sizeof filter->value);
}
